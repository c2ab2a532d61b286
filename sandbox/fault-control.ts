import {
  FAULT_KINDS,
  FAULT_TARGETS,
  FaultInjector,
  faultMismatch,
  isFaultKind,
  isFaultTarget,
} from './faults';
import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';

function invalid(message: string): SandboxReply {
  return json(400, { code: 'INVALID_FAULT', message, targets: FAULT_TARGETS, kinds: FAULT_KINDS });
}

/** The control calls over the fault injector: arm, list, clear. */
export class FaultControl {
  constructor(private readonly faults: FaultInjector) {}

  // POST /sandbox/control/faults { target, kind, count?, delayMs? }
  arm(request: SandboxRequest): SandboxReply {
    const input = parseJsonBody(request.body);
    if (!input) return json(400, { code: 'INVALID_JSON', message: 'body must be a JSON object' });
    const { target, kind } = input;
    const count = input.count ?? 1;
    const delayMs = input.delayMs ?? 0;
    if (!isFaultTarget(target)) {
      return invalid(`unknown target ${JSON.stringify(target)}; valid targets: ${FAULT_TARGETS.join(', ')}`);
    }
    if (!isFaultKind(kind)) return invalid(`unknown kind ${JSON.stringify(kind)}; valid kinds: ${FAULT_KINDS.join(', ')}`);
    const mismatch = faultMismatch(target, kind);
    if (mismatch) return invalid(mismatch);
    if (!Number.isSafeInteger(count) || (count as number) < 1) return invalid('count must be an integer >= 1');
    if (!Number.isSafeInteger(delayMs) || (delayMs as number) < 0) return invalid('delayMs must be an integer >= 0');
    this.faults.arm(target, { kind, delayMs: delayMs as number }, count as number);
    return json(200, { target, kind, count, delayMs });
  }

  // GET /sandbox/control/faults
  list(): SandboxReply {
    return json(200, { armed: this.faults.armed(), targets: FAULT_TARGETS, kinds: FAULT_KINDS });
  }

  // DELETE /sandbox/control/faults
  clear(): SandboxReply {
    this.faults.clear();
    return { status: 204, body: '' };
  }
}
