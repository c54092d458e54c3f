/**
 * `node --import speechmock/register app.js`: the application's own code, unchanged, talks to
 * the mock when it calls Azure's Speech hostnames. Trust the mock's CA with
 * `NODE_EXTRA_CA_CERTS` (`speechmock ca-path` prints it). `speechmock exec` sets both.
 */
import { connect } from "node:net";
import process from "node:process";
import { findMock, type MockLocation, MockNotFound } from "./mock-location.ts";
import { readyFileOf } from "./ready-file.ts";
import { redirectAzureToMock } from "./redirect.ts";

/** Whether something accepts connections there: a mock that has stopped leaves its file behind only if killed. */
const reachable = (mock: MockLocation) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: mock.host, port: mock.port });
    socket.setTimeout(2000, () => socket.destroy());
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false)).once("close", () => resolve(false));
  });

const refuse = (message: string): never => {
  process.stderr.write(`speechmock/register: ${message}\n`);
  process.exit(1);
};

let mock: MockLocation | undefined;
try {
  mock = findMock(process.env, readyFileOf(process.env));
} catch (err) {
  if (!(err instanceof MockNotFound)) throw err;
  refuse(err.message);
}
if (mock !== undefined) {
  if (!(await reachable(mock))) {
    refuse(`no mock answers at ${mock.host}:${mock.port} (from ${mock.source}). Start one with \`npx speechmock serve --tls\``);
  }
  redirectAzureToMock(mock);
}
