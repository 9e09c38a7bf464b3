import { useEffect, useState } from 'react';
import type { Settings } from '../../../common/bridge';

/** An audio device as Settings lists and stores it. */
export type Device = { readonly id: string; readonly label: string };

/** The audio devices plugged in now, by kind. */
export type AudioDevices = {
  readonly inputs: readonly Device[];
  readonly outputs: readonly Device[];
  /** False while the browser hides device names (before the page may use the microphone). */
  readonly named: boolean;
};

/** The devices plugged in now, and a way to learn their names. */
export type AudioDeviceList = { readonly devices: AudioDevices; readonly revealNames: () => Promise<void> };

const NONE: AudioDevices = { inputs: [], outputs: [], named: true };

async function listDevices(): Promise<AudioDevices> {
  if (!navigator.mediaDevices?.enumerateDevices) {
    return NONE;
  }
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind: MediaDeviceKind): Device[] =>
    all.filter((d) => d.kind === kind && d.deviceId !== '').map((d, i) => ({ id: d.deviceId, label: d.label || `${kind === 'audioinput' ? 'Microphone' : 'Speaker'} ${i + 1}` }));
  return { inputs: pick('audioinput'), outputs: pick('audiooutput'), named: all.every((d) => d.kind === 'videoinput' || d.label !== '') };
}

/**
 * The audio devices plugged in now, listed again whenever one is plugged in or out
 * (`devicechange`, W3C Media Capture and Streams §9.3), and a way to reveal their names.
 */
export function useAudioDevices(): AudioDeviceList {
  const [devices, setDevices] = useState<AudioDevices>(NONE);
  useEffect(() => {
    let live = true;
    const relist = (): void => void listDevices().then((d) => live && setDevices(d), () => undefined);
    relist();
    navigator.mediaDevices?.addEventListener('devicechange', relist);
    return () => {
      live = false;
      navigator.mediaDevices?.removeEventListener('devicechange', relist);
    };
  }, []);
  const revealNames = async (): Promise<void> => {
    // Asks for the microphone once, only to learn the names, and lets it go at once.
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    stream.getTracks().forEach((track) => track.stop());
    setDevices(await listDevices());
  };
  return { devices, revealNames };
}

/**
 * The remembered devices that are not plugged in now, as words for the agent
 * (`microphone "USB headset"`); empty while the list is unknown.
 */
export function missingDevices(settings: Pick<Settings, 'audioInput' | 'audioOutput'>, devices: AudioDevices): string[] {
  const { audioInput, audioOutput } = settings;
  return [
    audioInput && devices.inputs.length > 0 && !devices.inputs.some((d) => d.id === audioInput.id) ? `microphone "${audioInput.label}"` : undefined,
    audioOutput && devices.outputs.length > 0 && !devices.outputs.some((d) => d.id === audioOutput.id) ? `speaker "${audioOutput.label}"` : undefined,
  ].filter((m) => m !== undefined);
}
