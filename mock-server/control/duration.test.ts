import t from "tap";
import { parseDuration } from "./duration.ts";

t.test("durations as people write them", async (t) => {
  const cases: [string, number][] = [
    ["9m", 540_000],
    ["30s", 30_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["1.5s", 1500],
    ["1d", 86_400_000],
    ["2m30s", 150_000],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
});

t.test("anything else is not a duration", async (t) => {
  for (const text of ["", "9", "9x", "m", "-5s", "1 h", "1h 30m", "s9", "1.s"])
    t.equal(parseDuration(text), undefined, JSON.stringify(text));
});
