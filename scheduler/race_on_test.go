//go:build race

package scheduler_test

// raceDetector: the race detector slows the crash test's child processes
// about fourfold, so its default size is smaller (same kills, about a minute).
const raceDetector = true
