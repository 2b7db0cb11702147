package imageproxy

import (
	"container/list"
	"time"
)

// entryOverhead is charged to the cache for each entry besides its body and key: the
// list element, the map slot and the Image.
const entryOverhead = 256

// cache keeps fetched images, and failed fetches, by URL until they expire, within a
// budget of bytes; past it, the least recently used go first. Callers hold Proxy.mu.
type cache struct {
	max, size int64
	order     *list.List // of *entry, most recently used first
	byURL     map[string]*list.Element
}

type entry struct {
	url     string
	img     *Image
	err     error
	expires time.Time
}

func newCache(max int64) *cache {
	return &cache{max: max, order: list.New(), byURL: map[string]*list.Element{}}
}

func (e *entry) cost() int64 {
	n := int64(len(e.url) + entryOverhead)
	if e.img != nil {
		n += int64(len(e.img.Body))
	}
	return n
}

// get returns the unexpired outcome for url, or nil.
func (c *cache) get(url string, now time.Time) *entry {
	el, ok := c.byURL[url]
	if !ok {
		return nil
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		c.remove(el)
		return nil
	}
	c.order.MoveToFront(el)
	return e
}

// put stores an outcome for url until expires, evicting the least recently used entries
// to make room. An entry larger than the whole budget is not kept.
func (c *cache) put(url string, img *Image, err error, expires time.Time) {
	if el, ok := c.byURL[url]; ok {
		c.remove(el)
	}
	e := &entry{url: url, img: img, err: err, expires: expires}
	if e.cost() > c.max {
		return
	}
	for c.size+e.cost() > c.max {
		c.remove(c.order.Back())
	}
	c.byURL[url] = c.order.PushFront(e)
	c.size += e.cost()
}

func (c *cache) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry)
	delete(c.byURL, e.url)
	c.size -= e.cost()
}
