namespace MtaSts.Redis;

// The store's multi-key steps as Lua scripts, each atomic on the server. Every key of one script carries the same
// {day} hash tag, so a script touches one hash slot (Redis Cluster).
internal sealed partial class RedisTlsRptStateStore
{
    // KEYS: 1 the domain-day's counters (a hash), 2 the day's domains (a set).
    // ARGV: 1 domain, 2 max domains a day, 3 max policies, 4 max details per policy, 5 policy id, 6 policy text,
    //       7 successes, 8 failures, 9 expiry (unix seconds), then (detail, overflow detail, count) triples.
    // Returns the sessions not counted (a bound was reached), else 0. HINCRBY sums what every sender adds.
    private const string AddScript = """
        if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then
          if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then
            return tonumber(ARGV[7]) + tonumber(ARGV[8])
          end
          redis.call('SADD', KEYS[2], ARGV[1])
          redis.call('EXPIREAT', KEYS[2], ARGV[9])
        end
        local id = ARGV[5]
        if redis.call('HEXISTS', KEYS[1], 't:' .. id) == 0 then
          if tonumber(redis.call('HGET', KEYS[1], 'np') or '0') >= tonumber(ARGV[3]) then
            return tonumber(ARGV[7]) + tonumber(ARGV[8])
          end
          redis.call('HSET', KEYS[1], 't:' .. id, ARGV[6])
          redis.call('HINCRBY', KEYS[1], 'np', 1)
        end
        redis.call('HINCRBY', KEYS[1], 's:' .. id, ARGV[7])
        redis.call('HINCRBY', KEYS[1], 'f:' .. id, ARGV[8])
        for i = 10, #ARGV, 3 do
          local field = 'd:' .. id .. ':' .. ARGV[i]
          if redis.call('HEXISTS', KEYS[1], field) == 0 then
            if tonumber(redis.call('HGET', KEYS[1], 'n:' .. id) or '0') >= tonumber(ARGV[4]) then
              field = 'd:' .. id .. ':' .. ARGV[i + 1]
            else
              redis.call('HINCRBY', KEYS[1], 'n:' .. id, 1)
            end
          end
          redis.call('HINCRBY', KEYS[1], field, ARGV[i + 2])
        end
        redis.call('EXPIREAT', KEYS[1], ARGV[9])
        return 0
        """;

    // KEYS: 1 the lease. ARGV: 1 its owner. Deletes the lease only when the owner still holds it.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    // KEYS: 1 the sent marker, 2 the counters, 3 the day's domains, 4 the lease.
    // ARGV: 1 domain, 2 marker expiry (unix seconds), 3 the lease owner.
    private const string CompleteScript = """
        redis.call('SET', KEYS[1], '1')
        redis.call('EXPIREAT', KEYS[1], ARGV[2])
        redis.call('DEL', KEYS[2])
        redis.call('SREM', KEYS[3], ARGV[1])
        if redis.call('GET', KEYS[4]) == ARGV[3] then
          redis.call('DEL', KEYS[4])
        end
        return 1
        """;
}
