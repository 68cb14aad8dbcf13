//! Access-control test logic, pure and without I/O.
