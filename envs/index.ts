/**
 * Registers loopgym's built-in environments. Importing this module (the package barrel does) makes
 * every id below available to `make` and `makeVec`.
 */
