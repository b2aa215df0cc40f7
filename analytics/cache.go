package analytics

import (
	"container/list"
	"sync"
	"time"
)

// DefaultCacheMaxBytes bounds the answer cache when Options.CacheMaxBytes
// is 0.
const DefaultCacheMaxBytes = 32 << 20

// answerCache keeps report answers up to a size in bytes, evicting the
// least recently used first. An answer's size is the length of its JSON
// encoding (what it costs to send), a fair stand-in for what it holds.
type answerCache struct {
	max int64

	mu      sync.Mutex
	bytes   int64
	lru     *list.List // front: most recently used; values *cacheEntry
	entries map[string]*list.Element
	hits    int64
	misses  int64
	evicted int64
}

type cacheEntry struct {
	key     string
	v       any
	size    int64
	expires time.Time
}

// CacheStats describe the answer cache.
type CacheStats struct {
	Entries  int   `json:"entries"`
	Bytes    int64 `json:"bytes"`
	MaxBytes int64 `json:"max_bytes"`
	Hits     int64 `json:"hits"`
	Misses   int64 `json:"misses"`
	Evicted  int64 `json:"evicted"`
}

func newAnswerCache(maxBytes int64) *answerCache {
	return &answerCache{max: maxBytes, lru: list.New(), entries: map[string]*list.Element{}}
}

// get returns the answer under key unless it expired at now.
func (c *answerCache) get(key string, now time.Time) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if ok && now.Before(el.Value.(*cacheEntry).expires) {
		c.lru.MoveToFront(el)
		c.hits++
		return el.Value.(*cacheEntry).v, true
	}
	if ok {
		c.removeLocked(el)
	}
	c.misses++
	return nil, false
}

// put keeps v (size bytes) under key until expires, evicting the least
// recently used answers to stay within the bound. An answer larger than
// the whole bound is not kept.
func (c *answerCache) put(key string, v any, size int64, expires time.Time) {
	size += int64(len(key)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.removeLocked(el)
	}
	if size > c.max {
		return
	}
	for c.bytes+size > c.max {
		c.removeLocked(c.lru.Back())
		c.evicted++
	}
	c.entries[key] = c.lru.PushFront(&cacheEntry{key: key, v: v, size: size, expires: expires})
	c.bytes += size
}

// entryOverhead is what an entry costs beside its answer and key (list
// element, map slot, entry struct), roughly.
const entryOverhead = 200

func (c *answerCache) removeLocked(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.entries, e.key)
	c.bytes -= e.size
}

func (c *answerCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Init()
	c.entries = map[string]*list.Element{}
	c.bytes = 0
}

func (c *answerCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.entries), Bytes: c.bytes, MaxBytes: c.max, Hits: c.hits, Misses: c.misses, Evicted: c.evicted}
}
