// Graceful shutdown: blocks SIGTERM and SIGINT in every thread and lets the main thread wait for one.
#pragma once

namespace messenger {

// Call first thing in main(), before any thread starts, so that the signals reach only WaitForShutdownSignal.
void BlockShutdownSignals();
// Waits until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForShutdownSignal();

}  // namespace messenger
