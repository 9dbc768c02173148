// Replays recorded histories (test/histories, binary protobuf written by `RECORD_HISTORIES=1 npm test -- test/fee-dispute-flow.test.ts test/sop-flows.test.ts
// test/sop-handoffs.test.ts test/sop-engine.test.ts test/continue-as-new.test.ts test/anomaly.test.ts test/reconcile.test.ts`) against
// today's workflow code: a change that would break running tickets fails here.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import proto from '@temporalio/proto';

const { temporal } = proto; // CommonJS: no named exports under ESM
import { Worker } from '@temporalio/worker';
import { installRuntimeLogging } from '../worker';

// the replay workers' INFO lines ("Worker state changed") are noise in CI output
installRuntimeLogging('WARN');

const dir = path.join(import.meta.dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.pb'));

test('recorded histories exist for the intake, each fee-dispute outcome, every default SOP and every interpreter path', (t) => {
  const expected = ['intake-fee-dispute', 'intake-classify-task-queue', 'fee-dispute-refund-accepted', 'fee-dispute-rejected', 'fee-dispute-timeout'];
  expected.push('pager-burst');
  expected.push(...['late-arrival', 'attitude', 'cargo-damage', 'cargo-loss', 'safety-incident', 'app-technical', 'triage-rerouted'].map((s) => `sop-${s}`));
  // every path of the interpreter, not only the happy ones
  expected.push(...['failure-handoff', 'on-error', 'breach-kinds', 'reroute-failure', 'supervisor-approval', 'reopen', 'escalation-handoff'].map((s) => `sop-${s}`), 'continue-as-new');
  // the old paths behind each patch (recorded with the code before it): they must keep their old commands
  expected.push('sop-failure-escalated-v1', 'sop-reroute-failed-v1');
  // work distribution: assign, transfer, release, a supervisor deciding for the holder; the SLA clock paused and resumed
  expected.push('dispatch-holders', 'dispatch-sla-pause');
  // issue 19: a rating, the review it opened, and the review's outcome (reopen, findings)
  expected.push('sop-review', 'rating-review-reopen', 'rating-review-findings');
  // issue 21: the scheduled anomaly detection opening an alert, and the alert's ticket under the anomaly_alert SOP
  expected.push('anomaly-surge', 'sop-anomaly-alert');
  // a ticket the reconciler started again after its workflow was terminated: the supervisors' retry, then closed
  expected.push('ticket-recovered-retry');
  for (const name of expected) {
    t.true(files.includes(`${name}.pb`), name);
  }
});

test('every recorded history replays without nondeterminism', async (t) => {
  const histories = files.map((f) => ({ workflowId: path.basename(f, '.pb'), history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(dir, f))) }));
  const bundle = process.env.WORKFLOW_BUNDLE_PATH;
  const results = Worker.runReplayHistories(bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: path.join(import.meta.dirname, '..', 'workflows') }, histories);
  let replayed = 0;
  for await (const result of results) {
    t.is(result.error, undefined, `${result.workflowId}: ${result.error?.message}`);
    replayed++;
  }
  t.is(replayed, files.length);
});
