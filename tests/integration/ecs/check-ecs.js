#!/usr/bin/env node
// check-ecs.js - checks files of ECS JSON objects (one per line) against the
// Elastic Common Schema definitions of the @elastic/ecs package (its
// generated ecs_flat table): every field ECS defines has ECS's type, an
// array only where ECS allows one, and one of ECS's allowed values where it
// lists them; event.type fits event.category (ECS's expected_event_types,
// with the one deviation docs/ecs.md states); fields ECS does not define
// sit under "procguard."; ecs.version is the package's version.
//
// Usage: check-ecs.js NODE_MODULES_DIR FILE...   (exit 0: all good; 1:
// the problems are listed, one per line; 2: usage or unreadable input)
'use strict';

const fs = require('fs');
const path = require('path');

if (process.argv.length < 4) {
    process.stderr.write('usage: check-ecs.js NODE_MODULES_DIR FILE...\n');
    process.exit(2);
}
const modules = process.argv[2];
const ecsDir = path.join(modules, '@elastic', 'ecs');
const { EcsFlat } = require(path.join(ecsDir, 'generated', 'ecs_flat.js'));
const ecsVersion = require(path.join(ecsDir, 'package.json')).version;

// docs/ecs.md: an allowed start keeps event.category [process] only (the
// issue's mapping); ECS expects "allowed" under intrusion_detection.
const allowedDeviation = (category, type) =>
    type === 'allowed' && category.length === 1 && category[0] === 'process';

const problems = [];
let objects = 0;

function isoDate(v) {
    return typeof v === 'string' &&
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
        !Number.isNaN(Date.parse(v));
}

function typeOk(ecsType, v) {
    switch (ecsType) {
    case 'keyword':
    case 'constant_keyword':
    case 'wildcard':
    case 'text':
    case 'match_only_text':
    case 'ip':
        return typeof v === 'string';
    case 'long':
    case 'integer':
    case 'short':
    case 'byte':
    case 'unsigned_long':
        return Number.isInteger(v);
    case 'float':
    case 'double':
    case 'scaled_float':
    case 'half_float':
        return typeof v === 'number';
    case 'boolean':
        return typeof v === 'boolean';
    case 'date':
        return isoDate(v);
    case 'object':
    case 'flattened':
        return v !== null && typeof v === 'object';
    default:
        return false;
    }
}

// Dotted names of the leaves (a value that is not a plain object).
function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj)) {
        const name = prefix ? prefix + '.' + k : k;
        if (v !== null && typeof v === 'object' && !Array.isArray(v))
            flatten(v, name, out);
        else
            out.push([name, v]);
    }
    return out;
}

function check(where, obj) {
    const say = (msg) => problems.push(where + ': ' + msg);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        say('not a JSON object');
        return;
    }
    for (const required of ['@timestamp', 'ecs.version', 'event.kind', 'event.category',
                            'event.type', 'event.action', 'host.os.type', 'message']) {
        const parts = required === '@timestamp' ? [required] : required.split('.');
        let v = obj;
        for (const p of parts)
            v = v === undefined || v === null ? undefined : v[p];
        if (v === undefined)
            say('missing ' + required);
    }
    if (obj.ecs && obj.ecs.version !== ecsVersion)
        say('ecs.version ' + JSON.stringify(obj.ecs.version) + ' is not ' + ecsVersion);
    for (const [name, value] of flatten(obj, '', [])) {
        if (name.startsWith('procguard.'))
            continue;
        const def = EcsFlat[name];
        if (!def) {
            say(name + ' is not an ECS field (custom fields belong under procguard.)');
            continue;
        }
        const isArray = Array.isArray(value);
        if (isArray && !(def.normalize || []).includes('array'))
            say(name + ' is an array; ECS defines one value');
        const values = isArray ? value : [value];
        for (const v of values) {
            if (!typeOk(def.type, v))
                say(name + ' = ' + JSON.stringify(v) + ' is not of ECS type ' + def.type);
            if (def.allowed_values && !def.allowed_values.some((a) => a.name === v))
                say(name + ' = ' + JSON.stringify(v) + ' is not an allowed value');
        }
    }
    const ev = obj.event || {};
    if (Array.isArray(ev.category) && Array.isArray(ev.type)) {
        const cats = EcsFlat['event.category'].allowed_values;
        for (const t of ev.type) {
            const fits = ev.category.some((c) => {
                const a = cats.find((x) => x.name === c);
                return a && (a.expected_event_types || []).includes(t);
            });
            if (!fits && !allowedDeviation(ev.category, t))
                say('event.type ' + t + ' is not expected for event.category ' +
                    JSON.stringify(ev.category));
        }
    }
    objects++;
}

for (const file of process.argv.slice(3)) {
    let text;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch (e) {
        process.stderr.write('check-ecs: cannot read ' + file + ': ' + e.message + '\n');
        process.exit(2);
    }
    text.split('\n').forEach((line, i) => {
        if (line.trim() === '')
            return;
        let obj;
        try {
            obj = JSON.parse(line);
        } catch (e) {
            problems.push(file + ':' + (i + 1) + ': not JSON: ' + e.message);
            return;
        }
        check(file + ':' + (i + 1), obj);
    });
}

for (const p of problems)
    process.stdout.write(p + '\n');
process.stdout.write('check-ecs: ' + objects + ' object(s) checked against ECS ' + ecsVersion +
                     ', ' + problems.length + ' problem(s)\n');
process.exit(problems.length === 0 && objects > 0 ? 0 : 1);
