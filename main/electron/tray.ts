import { deflateSync, crc32 } from 'node:zlib';
import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import type { DesktopState } from '../../common/desktop-state';
import { statusLine, trayColour, type Rgb } from './tray-status';

const ICON_SIZE = 32;

/** Options of {@link StatusTray}. */
export type StatusTrayOptions = {
  readonly onShow: () => void;
  readonly onQuit: () => void;
};

/**
 * The notification-area icon: the registration status and, once registered, the agent's
 * availability at a glance (colour and tooltip), and a way back to the main window.
 * @remarks The icon is drawn in code (a filled circle per status) so the repository carries
 * no binary image.
 */
export class StatusTray {
  private readonly tray: Tray;
  private readonly icons = new Map<string, NativeImage>();
  private colour: string | undefined;
  private tooltip = '';

  constructor(options: StatusTrayOptions) {
    this.tray = new Tray(this.icon(trayColour(undefined)));
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Switchboard', click: options.onShow },
        { type: 'separator' },
        { label: 'Quit', click: options.onQuit },
      ]),
    );
    this.tray.on('click', options.onShow);
    this.update(undefined);
  }

  /** Follows the connection phase and the published availability. */
  update(state: DesktopState | undefined): void {
    const colour = trayColour(state);
    const tooltip = state ? statusLine(state) : 'Switchboard: starting';
    if (colour.join() !== this.colour) {
      this.colour = colour.join();
      this.tray.setImage(this.icon(colour));
    }
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) {
      this.tray.destroy();
    }
  }

  private icon(colour: Rgb): NativeImage {
    let image = this.icons.get(colour.join());
    if (!image) {
      image = nativeImage.createFromBuffer(circlePng(ICON_SIZE, colour), { scaleFactor: 2 });
      this.icons.set(colour.join(), image);
    }
    return image;
  }
}

/** A PNG of a filled, anti-aliased circle on transparency (RGBA, no interlace). */
function circlePng(size: number, [r, g, b]: Rgb): Buffer {
  const row = size * 4 + 1;
  const raw = Buffer.alloc(row * size);
  const centre = (size - 1) / 2;
  const radius = size / 2 - 1;
  for (let y = 0; y < size; y += 1) {
    raw[y * row] = 0;
    for (let x = 0; x < size; x += 1) {
      const distance = Math.hypot(x - centre, y - centre);
      const alpha = Math.max(0, Math.min(1, radius + 0.5 - distance));
      const at = y * row + 1 + x * 4;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
      raw[at + 3] = Math.round(alpha * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}
