// The viewer's choice to hear celebrations, remembered in this browser. Off unless they turn it on.

const KEY = 'honorboard.sound';

class SoundSetting {
	on = $state(false);

	/** Reads the stored choice; call from the browser (onMount). */
	load(): void {
		try {
			this.on = localStorage.getItem(KEY) === 'on';
		} catch {
			// Storage can be blocked (private modes, policies): sound simply stays off.
		}
	}

	set(on: boolean): void {
		this.on = on;
		try {
			localStorage.setItem(KEY, on ? 'on' : 'off');
		} catch {
			// Not remembered, but still applies to this page.
		}
	}
}

export const sound = new SoundSetting();
