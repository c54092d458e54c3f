#!/usr/bin/env node
// The Node command. `npm install` builds dist/ (the `prepare` script); `npm run build` rebuilds it.
import "../dist/cli.mjs";
