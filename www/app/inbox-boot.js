import init from './inbox.js';
init();
