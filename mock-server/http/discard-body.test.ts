import t from "tap";
import { discardBody } from "./discard-body.ts";

const stream = (sizes: readonly number[], fail = false) => {
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const size of sizes) controller.enqueue(new Uint8Array(size));
      if (fail) controller.error(new Error("client went away"));
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { body, cancelled: () => cancelled };
};

t.test("no body reads as an empty, complete one", async (t) => {
  t.same(await discardBody(null), { bytes: 0, complete: true });
});

t.test("a body is read to its end and counted", async (t) => {
  t.same(await discardBody(stream([1000, 24, 65_536]).body), { bytes: 66_560, complete: true });
});

t.test("reading stops past the limit, and the stream is cancelled", async (t) => {
  const s = stream([600, 600, 600]);
  t.same(await discardBody(s.body, 1_000), { bytes: 1_200, complete: false });
  t.ok(s.cancelled());
});

t.test("a body that fails mid-way is reported incomplete, not thrown", async (t) => {
  t.same(await discardBody(stream([10], true).body), { bytes: 0, complete: false });
});
