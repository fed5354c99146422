/**
 * First module of the conformance bundle: boots jasmine-core and puts its globals (describe, it,
 * expect, jasmine, ...) on globalThis before any tfjs-core test file is evaluated, as the `jasmine`
 * runner does for tfjs' own Node test targets. (jasmine-core's package main lists its own folder
 * at load time, which a bundle cannot do, so its two files are imported directly.)
 */
// @ts-expect-error jasmine-core ships no types; it is resolved at bundle time
import jasmineRequire from 'jasmine-core/lib/jasmine-core/jasmine.js';
// @ts-expect-error as above
import boot from 'jasmine-core/lib/jasmine-core/node_boot.js';

(boot as (j: unknown) => unknown)(jasmineRequire);
