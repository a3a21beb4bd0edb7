//! Face detection (in progress).
