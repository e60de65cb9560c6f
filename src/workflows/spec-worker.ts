import { parentPort, workerData } from 'node:worker_threads';
import { answerFor, parseWorkflowFile, type WorkflowKind } from './spec-file.js';

// A worker thread that parses one big workflow file off the event loop (see spec-file.ts).
const { kind, file } = workerData as { kind: WorkflowKind; file: string };
parentPort!.postMessage(answerFor(() => parseWorkflowFile(kind, file)));
