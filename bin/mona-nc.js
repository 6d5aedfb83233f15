#!/usr/bin/env node
// The installed command: everything lives in the compiled CLI.
import '../dist/src/cli.js';
