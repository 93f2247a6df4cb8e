namespace MtaSts.Caching;

// The background write queue: one pending write per domain (the latest wins), one channel item per pending domain,
// one worker writing them in order, each write bounded by the timeout and skipped while the breaker is open.
internal sealed partial class ResilientPolicyStore
{
    private void Enqueue(string domain, PendingWrite write)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            LogWriteDropped(domain, "the store is shutting down");
            return;
        }

        // Bounded: each round either queues the write, replaces a queued one, or sees the worker take it and retries.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_pending.TryGetValue(domain, out var queued))
            {
                if (_pending.TryUpdate(domain, write, queued))
                {
                    return; // still queued: the worker will write the latest
                }

                continue;
            }

            if (_pending.Count >= _maxPendingWrites)
            {
                LogWriteDropped(domain, $"{_maxPendingWrites} writes are already waiting");
                return;
            }

            if (_pending.TryAdd(domain, write))
            {
                if (!_queue.Writer.TryWrite(domain))
                {
                    _pending.TryRemove(KeyValuePair.Create(domain, write));
                    LogWriteDropped(domain, "the write queue is full or closed");
                }

                return;
            }
        }

        LogWriteDropped(domain, "too much contention");
    }

    private async Task DrainQueueAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var domain))
                {
                    await WriteOneAsync(domain).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Dispose gave up waiting: what is still queued is lost, as after a crash; the store is a cache.
        }
    }

    private async Task WriteOneAsync(string domain)
    {
        await _writeGate.WaitAsync(_stopping.Token).ConfigureAwait(false);
        try
        {
            // Read under the gate, so that ClearAsync's discard and this write never interleave. The write stays pending
            // (visible to GetAsync) until the store has it: a lookup meanwhile must not reload what is being removed.
            if (!_pending.TryGetValue(domain, out var write))
            {
                return; // discarded by ClearAsync
            }

            for (var round = 0; ; round++)
            {
                try
                {
                    await WriteToStoreAsync(domain, write).ConfigureAwait(false);
                }
                catch (PolicyStoreUnavailableException ex)
                {
                    LogWriteFailed(domain, ex.Message); // dropped, as after a crash: the store is a cache
                }

                if (_pending.TryRemove(KeyValuePair.Create(domain, write)) || !_pending.TryGetValue(domain, out var newer))
                {
                    return;
                }

                if (round == 8)
                {
                    _queue.Writer.TryWrite(domain); // it keeps changing: back in the queue, behind the others
                    return;
                }

                write = newer; // a newer write replaced this one while it was written
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task WriteToStoreAsync(string domain, PendingWrite write) =>
        await CallAsync(async ct =>
        {
            if (write.Policy is { } policy)
            {
                await _inner.SetAsync(policy, ct).ConfigureAwait(false);
            }
            else
            {
                await _inner.RemoveAsync(domain, ct).ConfigureAwait(false);
            }

            return true;
        }, (write.Policy is null ? "remove " : "write ") + domain, _stopping.Token, write: true).ConfigureAwait(false);
}
