#!/usr/bin/env node
/** `make stop`: stops the processes a `make start --detach` left running in the given state folder. */
import path from 'node:path';
import { killFromPidFiles } from './processes.js';
import { stateDir } from '../common/paths.js';

const dir = path.resolve(process.argv[2] ?? stateDir('dev'));
const killed = await killFromPidFiles(dir);
process.stdout.write(killed.length ? `stopped ${killed.join(', ')}\n` : `nothing running under ${dir}\n`);
