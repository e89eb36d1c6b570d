/**
 * The dashboard's entry module, loaded by index.html after uPlot's script.
 */
import { Dashboard } from './dashboard.js';

void new Dashboard().start();
