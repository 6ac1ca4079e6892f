/**
 * An NgClient whose requests are timed and whose failures are counted in /metrics
 * (media-metrics.ts): the relay and the health pings go through it unchanged otherwise.
 */
import { performance } from 'node:perf_hooks';
import type { NgDictionary, NgInputDictionary } from './ng/bencode.ts';
import { NgClient, NgError, NgTimeoutError, type NgClientOptions } from './ng/ng-client.ts';
import type { MediaMetrics } from './media-metrics.ts';

export class MeteredNgClient extends NgClient {
  readonly #metrics: MediaMetrics;

  constructor(options: NgClientOptions, metrics: MediaMetrics) {
    super(options);
    this.#metrics = metrics;
  }

  override async request(command: string, params: NgInputDictionary = {}): Promise<NgDictionary> {
    const started = performance.now();
    try {
      const reply = await super.request(command, params);
      this.#metrics.ngRequest(command, (performance.now() - started) / 1000);
      return reply;
    } catch (error) {
      this.#metrics.ngFailure(command, error instanceof NgError ? 'error' : error instanceof NgTimeoutError ? 'timeout' : 'unavailable');
      throw error;
    }
  }
}
