// A bounded least-recently-used map.
//
// Thread safety: none; callers lock.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>

namespace pothos {

template <class K, class V>
class LruMap {
public:
    explicit LruMap(std::size_t capacity) : capacity_(capacity) {}

    std::size_t size() const noexcept { return index_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }

    // The value for key, marked most recently used; nullptr when absent.
    V* find(const K& key) {
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }

    bool contains(const K& key) const { return index_.count(key) != 0; }

    // Inserts or replaces; returns the entry evicted to make room, if any.
    std::optional<std::pair<K, V>> put(const K& key, V value) {
        if (capacity_ == 0) return std::nullopt;
        auto it = index_.find(key);
        if (it != index_.end()) {
            it->second->second = std::move(value);
            order_.splice(order_.begin(), order_, it->second);
            return std::nullopt;
        }
        std::optional<std::pair<K, V>> evicted;
        if (index_.size() >= capacity_) {
            evicted.emplace(std::move(order_.back()));
            index_.erase(evicted->first);
            order_.pop_back();
        }
        order_.emplace_front(key, std::move(value));
        index_.emplace(key, order_.begin());
        return evicted;
    }

    bool erase(const K& key) {
        auto it = index_.find(key);
        if (it == index_.end()) return false;
        order_.erase(it->second);
        index_.erase(it);
        return true;
    }

    template <class F>
    void for_each_key(F&& f) const {
        for (const auto& entry : order_) f(entry.first);
    }

    void clear() {
        index_.clear();
        order_.clear();
    }

private:
    std::size_t capacity_;
    std::list<std::pair<K, V>> order_;  // front = most recently used
    std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator> index_;
};

}  // namespace pothos
