using System.Data;
using Microsoft.Data.Sqlite;

namespace Cairn.Metadata.Tests;

/// <summary>The writer's prepared commands: reused by SQL text, never handed out twice at once.</summary>
public sealed class PreparedCommandCacheTests : IAsyncLifetime
{
    private const string Select = "SELECT @value";

    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private SqliteTransaction _transaction = null!;
    private PreparedCommandCache _cache = null!;

    public async Task InitializeAsync()
    {
        await _connection.OpenAsync();
        _transaction = _connection.BeginTransaction();
        _cache = new PreparedCommandCache(_connection);
    }

    public async Task DisposeAsync()
    {
        _cache.Dispose();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static async Task<object?> RunAsync(System.Data.Common.DbCommand command, long value)
    {
        command.Add("@value", DbType.Int64, value);
        return await command.ExecuteScalarAsync();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_disposed_command_comes_back_for_the_same_SQL_without_its_parameters()
    {
        // Arrange
        var first = _cache.Rent(Select, _transaction);
        Assert.Equal(1L, await RunAsync(first, 1));
        await first.DisposeAsync();

        // Act
        var again = _cache.Rent(Select, _transaction);

        // Assert
        Assert.Same(first, again);
        Assert.Empty(again.Parameters);
        Assert.Same(_transaction, again.Transaction);
        Assert.Equal(2L, await RunAsync(again, 2));
    }

    [Fact(Timeout = 10_000)]
    public async Task SQL_that_is_out_gets_a_second_command_and_both_work()
    {
        // Act
        var outer = _cache.Rent(Select, _transaction);
        var inner = _cache.Rent(Select, _transaction);

        // Assert
        Assert.NotSame(outer, inner);
        Assert.Equal(1L, await RunAsync(outer, 1));
        Assert.Equal(2L, await RunAsync(inner, 2));
        await inner.DisposeAsync();
        await outer.DisposeAsync();
        Assert.Equal(3L, await RunAsync(_cache.Rent(Select, _transaction), 3));
    }

    [Fact(Timeout = 10_000)]
    public async Task Disposing_a_command_twice_returns_it_once()
    {
        // Arrange
        var command = _cache.Rent(Select, _transaction);
        await command.DisposeAsync();
        await command.DisposeAsync();

        // Act
        var first = _cache.Rent(Select, _transaction);
        var second = _cache.Rent(Select, _transaction);

        // Assert
        Assert.NotSame(first, second);
        Assert.Equal(1L, await RunAsync(first, 1));
        Assert.Equal(2L, await RunAsync(second, 2));
    }

    [Fact]
    public void A_cached_command_keeps_its_SQL()
    {
        var command = _cache.Rent(Select, _transaction);
        Assert.Throws<NotSupportedException>(() => command.CommandText = "SELECT 2");
    }
}
