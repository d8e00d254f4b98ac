import './files.js';
import init from './inbox.js';
init();
