import init from './widget.js';
init();
