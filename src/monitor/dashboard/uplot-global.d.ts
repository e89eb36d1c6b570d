// uPlot is loaded by its IIFE script tag (served from the installed package), not imported: this
// brings its d.ts, whose `export as namespace uPlot` types the global (allowUmdGlobalAccess).
/// <reference types="uplot" />
