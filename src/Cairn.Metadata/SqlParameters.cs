using System.Data;
using System.Data.Common;

namespace Cairn.Metadata;

/// <summary>
/// Typed parameters for the shared SQL. Every value carries an explicit <see cref="DbType"/>:
/// <see cref="DbType.Binary"/> binds as BLOB in SQLite and bytea in PostgreSQL, and a typed null
/// spares PostgreSQL from guessing.
/// </summary>
internal static class SqlParameters
{
    public static DbParameter Add(this DbCommand command, string name, DbType type, object? value = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static DbCommand CreateCommand(this DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Unix milliseconds: the one time representation in every table.</summary>
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    /// <summary>Reads an integer column whatever width the provider returns (both providers widen an int or a smallint to a long).</summary>
    public static long GetLong(this DbDataReader reader, int ordinal) => reader.GetInt64(ordinal);

    // One provider call per value: GetValue gives DBNull, a string or a byte array. (IsDBNull and then
    // a typed getter is two; GetFieldValue<byte[]> walks a chain of type tests in shared generic code.)
    public static string? GetNullableString(this DbDataReader reader, int ordinal) => reader.GetValue(ordinal) as string;

    public static byte[]? GetNullableBytes(this DbDataReader reader, int ordinal) => reader.GetValue(ordinal) as byte[];

    /// <summary>A BLOB (bytea) column that is never NULL.</summary>
    public static byte[] GetBlob(this DbDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);
}
