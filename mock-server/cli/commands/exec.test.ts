import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { fileURLToPath, pathToFileURL } from "node:url";
import t from "tap";
import { caBundleText, commandLine, execEnvironment, exitStatusOf, packageRoot, publicRoots, registerUrl } from "./exec.ts";

const server = {
  url: "http://127.0.0.1:8410",
  admin: "http://127.0.0.1:8410/__speechmock",
  region: "westus",
  resources: [
    { name: "off", region: "eastus", tier: "S0" as const, state: "disabled" as const, keys: ["k1", "k2"] as const },
    { name: "on", region: "westus", tier: "S0" as const, state: "enabled" as const, keys: ["k3", "k4"] as const },
  ],
  tls: {
    url: "https://127.0.0.1:8443",
    ws: "wss://127.0.0.1:8443",
    port: 8443,
    ca: "/tls/ca.pem",
    spki: "x=",
    dir: "/tls",
  },
};

t.test("the command's argv as given; one argument with a space is a shell command line", async (t) => {
  t.same(commandLine(["node", "-e", "console.log(1)"]), ["node", ["-e", "console.log(1)"]]);
  t.same(commandLine(["npm"]), ["npm", []]);
  t.same(commandLine(["npm test && npm run e2e"]), ["sh", ["-c", "npm test && npm run e2e"]]);
  t.same(commandLine(["my command", "arg"]), ["my command", ["arg"]], "two or more arguments never go through a shell");
});

t.test("the exit status: the command's code, 128+n for signal n", async (t) => {
  t.equal(exitStatusOf({ code: 0, signal: null }), 0);
  t.equal(exitStatusOf({ code: 3, signal: null }), 3);
  t.equal(exitStatusOf({ code: null, signal: "SIGTERM" }), 143);
  t.equal(exitStatusOf({ code: null, signal: "SIGKILL" }), 137);
  t.equal(exitStatusOf({ code: null, signal: "SIGINT" }), 130);
});

t.test("the environment: the mock's https URLs, the first enabled resource, the CA for Node, Python and curl, the preload", async (t) => {
  const env = execEnvironment({ server, register: "file:///pkg/dist/register.mjs", nodeOptions: undefined, bundle: "/tls/ca-bundle.pem" });
  t.same(env, {
    SPEECHMOCK_URL: "https://127.0.0.1:8443",
    SPEECHMOCK_STS: "https://127.0.0.1:8443/sts/v1.0/issueToken",
    SPEECHMOCK_WS: "wss://127.0.0.1:8443",
    SPEECHMOCK_ADMIN: "https://127.0.0.1:8443/__speechmock",
    SPEECHMOCK_KEY: "k3",
    SPEECHMOCK_REGION: "westus",
    SPEECHMOCK_TLS_DIR: "/tls",
    NODE_OPTIONS: "--import file:///pkg/dist/register.mjs",
    NODE_EXTRA_CA_CERTS: "/tls/ca.pem",
    REQUESTS_CA_BUNDLE: "/tls/ca-bundle.pem",
    SSL_CERT_FILE: "/tls/ca-bundle.pem",
    CURL_CA_BUNDLE: "/tls/ca-bundle.pem",
  });
});

t.test("the key: the first enabled resource of the default region, else the first enabled one", async (t) => {
  const input = { register: "file:///r.mjs", nodeOptions: undefined, bundle: undefined };
  const enabled = { name: "east", region: "eastus", tier: "S0" as const, state: "enabled" as const, keys: ["k5", "k6"] as const };
  t.match(execEnvironment({ ...input, server: { ...server, resources: [enabled, ...server.resources] } }), {
    SPEECHMOCK_KEY: "k3",
    SPEECHMOCK_REGION: "westus",
  });
  t.match(execEnvironment({ ...input, server: { ...server, region: "westeurope", resources: [...server.resources, enabled] } }), {
    SPEECHMOCK_KEY: "k3",
    SPEECHMOCK_REGION: "westus",
  });
});

t.test("NODE_OPTIONS keeps what was there; no enabled resource, no key; the user's certificate, no CA variables", async (t) => {
  const env = execEnvironment({
    server: { ...server, resources: server.resources.slice(0, 1), tls: { ...server.tls, ca: undefined } },
    register: "file:///pkg/dist/register.mjs",
    nodeOptions: " --max-old-space-size=4096 ",
    bundle: undefined,
  });
  t.equal(env.NODE_OPTIONS, "--max-old-space-size=4096 --import file:///pkg/dist/register.mjs");
  for (const name of [
    "SPEECHMOCK_KEY",
    "SPEECHMOCK_REGION",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "CURL_CA_BUNDLE",
  ]) {
    t.notOk(name in env, name);
  }
});

t.test("the CA bundle: the roots, then the CA, each a PEM block", async (t) => {
  const ca = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";
  const text = caBundleText(ca, ["-----BEGIN CERTIFICATE-----\nWFla\n-----END CERTIFICATE-----\n"]);
  t.equal(
    text,
    "-----BEGIN CERTIFICATE-----\nWFla\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
  );
  t.equal(caBundleText(ca, []), ca);
});

t.test("the public roots: node:tls's; without them the first system bundle there is; else none, with a warning", async (t) => {
  const warnings: string[] = [];
  t.same(await publicRoots((line) => warnings.push(line)), rootCertificates);
  t.same(warnings, []);
  const refused = () => {
    throw new Error('Requires sys access to "ca"');
  };
  const withoutTlsRoots = (warn: (line: string) => void, files: string[]) => publicRoots(warn, files, refused);
  const dir = mkdtempSync(join(tmpdir(), "speechmock-roots-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "bundle.crt"), "ROOTS");
  t.same(await withoutTlsRoots((line) => warnings.push(line), [join(dir, "none.crt"), join(dir, "bundle.crt")]), ["ROOTS"]);
  t.same(await withoutTlsRoots((line) => warnings.push(line), [join(dir, "none.crt")]), []);
  t.same(warnings, [
    "speechmock: exec: warning: no public root certificates found (on Deno, allow them with --allow-sys); ca-bundle.pem trusts only the mock",
  ]);
});

t.test("the preload is found from any module of the package: source, bundle or chunk", async (t) => {
  const root = packageRoot();
  t.ok(existsSync(join(root, "package.json")));
  t.equal(packageRoot(pathToFileURL(join(root, "dist", "chunks", "exec-X.mjs"))), root);
  t.equal(fileURLToPath(registerUrl(root)), join(root, "dist", "register.mjs"));
  t.throws(() => packageRoot("file:///no/such/dir/x.mjs"), /speechmock's package.json not found above/);
});
