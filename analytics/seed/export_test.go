package seed

// SetFailAfterFill makes bulk loads fail after their fills with f's error
// until the returned function is called.
func SetFailAfterFill(f func() error) (restore func()) {
	failAfterFill = f
	return func() { failAfterFill = nil }
}
