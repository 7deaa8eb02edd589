-- a rare dashboard query: purchases in the click stream
SELECT count(*), max(created_at) FROM events WHERE kind = 'purchase';
