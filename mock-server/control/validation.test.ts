import { Hono } from "hono";
import t from "tap";
import { journalQuery } from "./routes/journal.ts";
import { queryObject } from "./validation.ts";

t.test("query parameters the schema types as whole numbers become numbers; the others stay strings", async (t) => {
  const app = new Hono();
  app.get("/", (c) => c.json(queryObject(c, journalQuery)));
  const res = await app.request("/?since=5&limit=10&type=fault&outcome=429&connectionId=12");
  t.same(await res.json(), { since: 5, limit: 10, type: "fault", outcome: "429", connectionId: "12" });
});
