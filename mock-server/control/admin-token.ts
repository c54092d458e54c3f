import type { MiddlewareHandler } from "hono";
import { isDashboardPath } from "../dashboard/serve.ts";
import { controlPrefix } from "./prefix.ts";

const bearerOf = (header: string | undefined): string => /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "";

/** Compares without stopping at the first difference, so timing does not tell how much was right. */
const sameSecret = (given: string, expected: string): boolean => {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
};

/**
 * With `--admin-token`, every control request but health needs `Authorization: Bearer <token>`.
 * Health stays open, so CI can wait for the mock without the secret; it tells nothing. So do the
 * dashboard's page and assets: a browser cannot send the token to load them, and the page asks for it.
 */
export function adminTokenGuard(adminToken: string): MiddlewareHandler {
  return async (c, next) => {
    if (
      c.req.path === `${controlPrefix}/health` ||
      (c.req.method === "GET" && isDashboardPath(c.req.path)) ||
      sameSecret(bearerOf(c.req.header("authorization")), adminToken)
    )
      return next();
    const message = "The control plane needs the admin token: Authorization: Bearer <token>";
    return c.json({ error: { code: "ERR_UNAUTHORIZED", message } }, 401, { "WWW-Authenticate": 'Bearer realm="speechmock"' });
  };
}
