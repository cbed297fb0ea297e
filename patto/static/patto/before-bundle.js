// Loaded before Bootstrap Italia's bundle: stops Video.js from injecting an inline <style> (CSP).
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
