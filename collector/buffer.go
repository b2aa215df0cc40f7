package collector

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrBufferFull means a batch could not be kept because the on-disk buffer
// reached collector.buffer_max_bytes while ClickHouse was unreachable.
var ErrBufferFull = errors.New("collector buffer full")

// BufferFullError says how full the buffer is and what to do.
type BufferFullError struct {
	Path          string
	Bytes, Max    int64
	BatchBytes    int64
	RowsNotStored int
}

func (e *BufferFullError) Error() string {
	return fmt.Sprintf("collector buffer full: %s holds %d of %d bytes and a batch of %d rows (%d bytes) does not fit, "+
		"so these snapshots are not stored; ClickHouse has been unreachable: start it (scripts/clickhouse.sh start) "+
		"and the buffer is written to it, or raise collector.buffer_max_bytes / "+
		"buffer koleksi penuh: jalankan ClickHouse atau naikkan collector.buffer_max_bytes",
		e.Path, e.Bytes, e.Max, e.RowsNotStored, e.BatchBytes)
}

// Is makes errors.Is(err, ErrBufferFull) true.
func (e *BufferFullError) Is(target error) bool { return target == ErrBufferFull }

// diskBuffer keeps batches as segment files (one JSON batch per file),
// written to a temporary name, fsynced and renamed, so a crash never
// leaves half a segment. Segments are replayed oldest first.
//
// Several processes may share the folder (serve and humas collect): a
// segment's name is its creation time in nanoseconds and a random tag of
// the process that wrote it, so no process overwrites another's, and
// rescan picks up segments others added or replayed. Two processes may
// replay the same segment at once; it is then written twice, which the
// tables' keys make harmless. A segment that cannot be decoded is moved
// to damaged/ (kept for a person to look at), counted, and skipped.
type diskBuffer struct {
	dir string
	max int64
	tag string // this process's part of segment names
	// onDamaged is called (outside the lock) after a segment was moved
	// to damaged/.
	onDamaged func(s segment, err error)

	mu      sync.Mutex
	segs    []segment // oldest first (by name)
	bytes   int64
	last    int64 // the last name's time stamp: names stay ordered within the process
	damaged int   // segments in damaged/
}

type segment struct {
	name  string
	path  string
	bytes int64
	rows  int
}

const (
	segSuffix  = ".batch.json"
	damagedDir = "damaged"
	// staleTmp is how old a temporary file must be to be an append that
	// never completed (a crash) rather than another process writing.
	staleTmp = 10 * time.Minute
)

func openBuffer(dir string, maxBytes int64) (*diskBuffer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil { // buffered rows are private: 0700 folder, 0600 files
		return nil, fmt.Errorf("collector buffer %s: %w (set collector.buffer_path to a writable directory)", dir, err)
	}
	var tag [6]byte
	if _, err := rand.Read(tag[:]); err != nil {
		return nil, fmt.Errorf("collector buffer: %w", err)
	}
	b := &diskBuffer{dir: dir, max: maxBytes, tag: hex.EncodeToString(tag[:])}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("collector buffer %s: %w", dir, err)
	}
	for _, e := range ents {
		if name := e.Name(); strings.HasSuffix(name, ".tmp") {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTmp {
				_ = os.Remove(filepath.Join(dir, name)) // an append that never completed
			}
		}
	}
	if err := b.rescanErr(); err != nil {
		return nil, err
	}
	return b, nil
}

// rescan brings the list of segments in line with the folder: segments
// another process added are picked up, those it replayed are dropped, and
// segments any process moved to damaged/ are counted.
func (b *diskBuffer) rescan() {
	_ = b.rescanErr() // a folder that cannot be read now is read at the next attempt
}

func (b *diskBuffer) rescanErr() error {
	ents, err := os.ReadDir(b.dir)
	if err != nil {
		return fmt.Errorf("collector buffer %s: %w", b.dir, err)
	}
	onDisk := map[string]int64{}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), segSuffix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // replayed and removed since ReadDir
		}
		onDisk[e.Name()] = info.Size()
	}
	damaged := 0
	if ents, err := os.ReadDir(filepath.Join(b.dir, damagedDir)); err == nil {
		for _, e := range ents {
			if !e.IsDir() {
				damaged++
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.damaged = max(b.damaged, damaged)
	known := map[string]bool{}
	segs := b.segs[:0]
	var bytes int64
	for _, s := range b.segs {
		if _, ok := onDisk[s.name]; ok {
			segs = append(segs, s)
			known[s.name] = true
			bytes += s.bytes
		}
	}
	for name, size := range onDisk {
		if !known[name] {
			segs = append(segs, segment{name: name, path: filepath.Join(b.dir, name), bytes: size, rows: -1})
			bytes += size
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].name < segs[j].name })
	b.segs, b.bytes = segs, bytes
	return nil
}

// Append stores a batch durably, or fails with *BufferFullError.
func (b *diskBuffer) Append(batch Batch) error {
	data, err := json.Marshal(batch)
	if err != nil {
		return fmt.Errorf("collector buffer: encode batch: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bytes+int64(len(data)) > b.max {
		return &BufferFullError{Path: b.dir, Bytes: b.bytes, Max: b.max, BatchBytes: int64(len(data)), RowsNotStored: batch.Rows()}
	}
	stamp := max(time.Now().UnixNano(), b.last+1)
	name := fmt.Sprintf("%020d-%s%s", stamp, b.tag, segSuffix)
	final := filepath.Join(b.dir, name)
	tmp := final + ".tmp"
	if err := writeSynced(tmp, data); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("collector buffer: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("collector buffer: %w", err)
	}
	if d, err := os.Open(b.dir); err == nil { // make the rename durable
		_ = d.Sync()
		d.Close()
	}
	b.last = stamp
	b.segs = append(b.segs, segment{name: name, path: final, bytes: int64(len(data)), rows: batch.Rows()})
	sort.Slice(b.segs, func(i, j int) bool { return b.segs[i].name < b.segs[j].name })
	b.bytes += int64(len(data))
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Oldest returns the oldest segment's batch (ok false when empty). A
// segment another process replayed meanwhile is skipped; one that cannot
// be decoded is moved to damaged/ and skipped.
func (b *diskBuffer) Oldest() (segment, Batch, bool, error) {
	for {
		b.mu.Lock()
		if len(b.segs) == 0 {
			b.mu.Unlock()
			return segment{}, Batch{}, false, nil
		}
		s := b.segs[0]
		b.mu.Unlock()
		data, err := os.ReadFile(s.path)
		if errors.Is(err, os.ErrNotExist) {
			b.forget(s)
			continue
		}
		if err != nil {
			return s, Batch{}, false, fmt.Errorf("collector buffer: read %s: %w", s.path, err)
		}
		var batch Batch
		if err := json.Unmarshal(data, &batch); err != nil {
			if qerr := b.quarantine(s, err); qerr != nil {
				return s, Batch{}, false, qerr
			}
			continue
		}
		return s, batch, true, nil
	}
}

// quarantine moves a damaged segment to damaged/.
func (b *diskBuffer) quarantine(s segment, cause error) error {
	dir := filepath.Join(b.dir, damagedDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("collector buffer: segment %s is damaged (%v) and cannot be moved aside: %w", s.path, cause, err)
	}
	err := os.Rename(s.path, filepath.Join(dir, s.name))
	if errors.Is(err, os.ErrNotExist) {
		b.forget(s) // another process moved or replayed it
		return nil
	}
	if err != nil {
		return fmt.Errorf("collector buffer: segment %s is damaged (%v) and cannot be moved aside: %w", s.path, cause, err)
	}
	b.forget(s)
	b.mu.Lock()
	b.damaged++
	b.mu.Unlock()
	if b.onDamaged != nil {
		b.onDamaged(s, cause)
	}
	return nil
}

// Remove deletes a replayed segment.
func (b *diskBuffer) Remove(s segment) error {
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("collector buffer: remove %s: %w", s.path, err)
	}
	b.forget(s)
	return nil
}

func (b *diskBuffer) forget(s segment) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.segs {
		if x.name == s.name {
			b.segs = append(b.segs[:i], b.segs[i+1:]...)
			b.bytes -= x.bytes
			break
		}
	}
}

// Size is the bytes and segments held.
func (b *diskBuffer) Size() (bytes int64, segments int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bytes, len(b.segs)
}

// Damaged is how many segments were moved to damaged/ (by any process,
// over the folder's life) and that folder's path.
func (b *diskBuffer) Damaged() (segments int, path string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.damaged, filepath.Join(b.dir, damagedDir)
}
