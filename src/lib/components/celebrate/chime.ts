// A short chime generated with the Web Audio API, so there are no audio files to ship.

let context: AudioContext | undefined;

function audio(): AudioContext | undefined {
	if (typeof window === 'undefined' || !('AudioContext' in window)) return undefined;
	context ??= new AudioContext();
	// Browsers start contexts suspended until a user gesture; the sound toggle is one.
	if (context.state === 'suspended') void context.resume();
	return context;
}

/** Call from a click handler so that later chimes are allowed to play. */
export function unlockAudio(): void {
	audio();
}

// C major arpeggios: a two-note "ding" for others' news, a rising four-note one for your own.
const NOTES = { small: [659.25, 987.77], big: [523.25, 659.25, 783.99, 1046.5] };

export function chime(kind: keyof typeof NOTES = 'small'): void {
	const ctx = audio();
	if (!ctx) return;
	const master = ctx.createGain();
	master.gain.value = kind === 'big' ? 0.22 : 0.16;
	master.connect(ctx.destination);
	const t0 = ctx.currentTime + 0.03;
	NOTES[kind].forEach((frequency, i) => {
		const start = t0 + i * 0.1;
		const length = i === NOTES[kind].length - 1 ? 0.9 : 0.45;
		// A sine with a quiet octave above it sounds like a small bell.
		for (const [multiple, level, type] of [
			[1, 1, 'sine'],
			[2, 0.25, 'triangle']
		] as const) {
			const osc = ctx.createOscillator();
			const gain = ctx.createGain();
			osc.type = type;
			osc.frequency.value = frequency * multiple;
			gain.gain.setValueAtTime(0.0001, start);
			gain.gain.exponentialRampToValueAtTime(level, start + 0.012);
			gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
			osc.connect(gain).connect(master);
			osc.start(start);
			osc.stop(start + length + 0.05);
		}
	});
}
