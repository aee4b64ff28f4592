package dashboards

import (
	"sync"
	"time"
)

// maxCached bounds the last-good-answer cache: one entry per (endpoint, parameters).
const maxCached = 512

// answerCache keeps the last good answer per (endpoint, parameters) so that a page can still be
// drawn, marked with the time of its data, while a sync holds the database.
type answerCache struct {
	mu      sync.Mutex
	entries map[string]cachedAnswer
}

type cachedAnswer struct {
	value any
	asOf  time.Time
}

func (c *answerCache) get(key string) (cachedAnswer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.entries[key]
	return a, ok
}

func (c *answerCache) put(key string, value any, asOf time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]cachedAnswer)
	}
	if _, ok := c.entries[key]; !ok && len(c.entries) >= maxCached {
		c.evictOldest()
	}
	c.entries[key] = cachedAnswer{value: value, asOf: asOf}
}

func (c *answerCache) evictOldest() {
	var oldestKey string
	var oldest time.Time
	for k, a := range c.entries {
		if oldestKey == "" || a.asOf.Before(oldest) {
			oldestKey, oldest = k, a.asOf
		}
	}
	delete(c.entries, oldestKey)
}
