import { route } from "../route.ts";

/** Exempt from the admin token and the Host and Origin rules: CI waits on it by any name. */
export const healthRoutes = [
  route({
    method: "get",
    path: "/health",
    summary: "200 once the mock is listening: for CI to wait on",
    responses: { 200: '{"status":"ok"}' },
    handle: (c) => c.json({ status: "ok" }),
  }),
];
