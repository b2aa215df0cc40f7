package backup

import "time"

// RewriteCreatedForTest changes a backup's recorded start time (tests of
// rotation), keeping its manifest checksum right.
func RewriteCreatedForTest(dir string, at time.Time) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return err
	}
	m.CreatedAt = at
	return writeManifest(dir, m)
}
