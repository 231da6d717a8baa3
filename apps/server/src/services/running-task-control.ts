import type { ClusterSignals } from '#ports/cluster-signals.ts';
import type { TaskRunnerControl } from './tasks.service.ts';

/**
 * Cancel of a running task wherever it runs: this gateway's runner when it runs the task, else a `cancel` signal
 * to the others (the one that runs it aborts it; the runner there records the outcome and publishes it).
 */
export class RunningTaskControl implements TaskRunnerControl {
  private readonly off: () => void;

  constructor(private readonly d: { runner: TaskRunnerControl & { wake(): void }; signals: ClusterSignals }) {
    this.off = d.signals.on((s) => {
      if (s.kind === 'cancel') d.runner.cancelRunning(s.taskId);
    });
  }

  cancelRunning(taskId: string): boolean {
    if (this.d.runner.cancelRunning(taskId)) return true;
    this.d.signals.send({ kind: 'cancel', taskId });
    return false;
  }

  /** look for work now (the admin queue moved a job to the front) */
  wake(): void {
    this.d.runner.wake();
  }

  close(): void {
    this.off();
  }
}
