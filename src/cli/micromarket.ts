#!/usr/bin/env node
// The `micromarket` executable (package.json "bin"); `npm install` compiles it to dist/ (prepare).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
