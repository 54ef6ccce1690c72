/**
 * The part of video.js's API the players use. video.js ships types generated from JSDoc that are loose
 * where it matters (most methods return `any` or unions of overloads), and `video.js/core.es.js` has
 * none, so both bundles cast the imported function to this interface once.
 */

export interface VjsComponent {
  el(): HTMLElement;
  on(event: string | string[], listener: (...args: unknown[]) => void): void;
  addChild(name: string, options?: Record<string, unknown>, index?: number): VjsComponent;
  getChild(name: string): VjsComponent | undefined;
  children(): VjsComponent[];
  addClass(name: string): void;
  controlText?(text: string): void;
}

export interface QualityLevel {
  readonly height: number;
  readonly bitrate: number;
  enabled: boolean;
}

export interface QualityLevelList {
  readonly length: number;
  readonly selectedIndex: number;
  readonly [index: number]: QualityLevel;
  on(event: "addqualitylevel" | "change", listener: () => void): void;
}

export interface VjsPlayer extends VjsComponent {
  src(source: { src: string; type: string }): void;
  currentTime(): number;
  currentTime(seconds: number): void;
  duration(): number;
  buffered(): TimeRanges;
  paused(): boolean;
  play(): Promise<void> | undefined;
  pause(): void;
  muted(): boolean;
  muted(value: boolean): void;
  /** 0 to 1. */
  volume(): number;
  volume(value: number): void;
  playbackRate(): number;
  playbackRate(rate: number): void;
  loop(value: boolean): void;
  ended(): boolean;
  one(event: string, listener: (...args: unknown[]) => void): void;
  /** Runs `callback` once the player is set up (at once if it already is). */
  ready(callback: () => void): void;
  isFullscreen(): boolean;
  requestFullscreen(): void;
  exitFullscreen(): void;
  error(error: { code: number; message: string }): void;
  /** Stops playback, detaches the tech and removes the player's element. */
  dispose(): void;
  /** Present when the quality-levels plugin is bundled (the full video.js package). */
  qualityLevels?(): QualityLevelList;
}

export interface SourceObject {
  readonly src: string;
  readonly type?: string;
}

/** A source handler as video.js's Html5 tech expects it (see video.js's tech/tech.js, withSourceHandlers). */
export interface SourceHandler {
  canPlayType(type: string): "" | "maybe" | "probably";
  canHandleSource(source: SourceObject, options?: unknown): "" | "maybe" | "probably";
  handleSource(source: SourceObject, tech: VjsTech, options?: unknown): { dispose(): void };
}

export interface VjsTech {
  el(): HTMLVideoElement;
  trigger(event: string): void;
  error?(error: { code: number; message: string }): void;
}

export interface Html5Tech {
  registerSourceHandler(handler: SourceHandler, index?: number): void;
}

export interface VhsRequest extends XMLHttpRequest {
  readonly requestType?: string;
}

export interface VideoJs {
  (element: Element, options: Record<string, unknown>): VjsPlayer;
  getTech(name: "Html5"): Html5Tech;
  /** Only in the full package (VHS). */
  Vhs?: { xhr: { onResponse(hook: (request: VhsRequest, error: unknown, response: unknown) => void): void } };
}
