import './files.js';
import init from './widget.js';
init();
