import t from "tap";
import { defaultTlsDir } from "./tls-dir.ts";

t.test("Linux: $XDG_STATE_HOME/speechmock/tls", async (t) => {
  t.equal(defaultTlsDir({ platform: "linux", env: { XDG_STATE_HOME: "/xdg/state" }, homedir: "/home/u" }), "/xdg/state/speechmock/tls");
});

t.test("Linux without XDG_STATE_HOME (or with a relative one): ~/.local/state/speechmock/tls", async (t) => {
  t.equal(defaultTlsDir({ platform: "linux", env: {}, homedir: "/home/u" }), "/home/u/.local/state/speechmock/tls");
  t.equal(defaultTlsDir({ platform: "linux", env: { XDG_STATE_HOME: "" }, homedir: "/home/u" }), "/home/u/.local/state/speechmock/tls");
  t.equal(
    defaultTlsDir({ platform: "freebsd", env: { XDG_STATE_HOME: "relative" }, homedir: "/home/u" }),
    "/home/u/.local/state/speechmock/tls",
  );
});

t.test("macOS: ~/Library/Application Support/speechmock/tls, whatever XDG says", async (t) => {
  t.equal(
    defaultTlsDir({ platform: "darwin", env: { XDG_STATE_HOME: "/xdg" }, homedir: "/Users/u" }),
    "/Users/u/Library/Application Support/speechmock/tls",
  );
});

t.test("Windows: %LOCALAPPDATA%\\speechmock\\tls, else under the home directory", async (t) => {
  t.equal(
    defaultTlsDir({ platform: "win32", env: { LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, homedir: "C:\\Users\\u" }),
    "C:\\Users\\u\\AppData\\Local\\speechmock\\tls",
  );
  t.equal(defaultTlsDir({ platform: "win32", env: {}, homedir: "C:\\Users\\u" }), "C:\\Users\\u\\AppData\\Local\\speechmock\\tls");
});
