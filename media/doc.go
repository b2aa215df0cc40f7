// Package media is the media library: uploads (whole or resumable) and
// fetched links are checked by their bytes, images converted to JPEG and
// scaled, kept on local disk or an S3-compatible store, shown through
// signed public links Meta can fetch, and deleted by the retention job.
package media
