//! Native tests of the visitor decisions.
