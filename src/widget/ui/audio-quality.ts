/**
 * The history's "poor audio" marker: shown only where the media relay measured audio beyond a
 * poor-audio limit, with the figures per direction on hover (what a supervisor asks about when a
 * customer complains).
 */
import type { CallRecord } from '../api/api-types.ts';
import type { Translate } from '../i18n/i18n.ts';
import { h, type View } from './view-kit.ts';

type Quality = NonNullable<CallRecord['quality']>;

/** "Caller: 1.2 % lost, jitter 4 ms, MOS 4.3 · Callee: …", with only the figures that are known. */
export function describeAudioQuality(quality: Quality, t: Translate, locale: string): string {
  const number = (value: number, digits: number) => value.toLocaleString(locale, { maximumFractionDigits: digits });
  return quality.legs
    .map((leg) => {
      const figures = [t('qualityPackets', { packets: number(leg.packets, 0) })];
      if (leg.lossRatio !== null) figures.push(t('qualityLoss', { percent: number(leg.lossRatio * 100, 1) }));
      if (leg.jitterMs !== null) figures.push(t('qualityJitter', { ms: number(leg.jitterMs, 0) }));
      if (leg.mos !== null) figures.push(t('qualityMos', { mos: number(leg.mos, 1) }));
      return `${t(leg.party === 'caller' ? 'qualityCaller' : 'qualityCallee')}: ${figures.join(', ')}`;
    })
    .join(' · ');
}

export function PoorAudioMarker({ quality, t, locale }: { quality: CallRecord['quality']; t: Translate; locale: string }): View {
  if (!quality?.poor) return null;
  return h('span', { class: 'bad poor-audio', title: describeAudioQuality(quality, t, locale) }, t('poorAudio'));
}
