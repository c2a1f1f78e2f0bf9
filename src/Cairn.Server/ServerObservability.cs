using System.Diagnostics.Metrics;
using Cairn.Engine;
using Cairn.Metadata;
using Cairn.S3;
using Cairn.S3.Admin;
using Cairn.S3.Routing;
using Cairn.Storage;
using Microsoft.AspNetCore.Http.Features;
using OpenTelemetry.Metrics;

namespace Cairn.Server;

/// <summary>
/// What operators see: the metrics of every layer exported in Prometheus text format at
/// <c>/_cairn/metrics</c>, and the health endpoints <c>/_cairn/health/live</c> and
/// <c>/_cairn/health/ready</c> (docs/architecture.md, "Metrics and health").
/// </summary>
/// <remarks>
/// Everything of Cairn's own lives under <c>/_cairn/</c>, which no path-style request can mean (bucket
/// names cannot contain '_'). On a bucket's virtual host (<c>bucket.base-domain</c>) the same path is
/// an object key, so those requests go to S3 like any other.
/// </remarks>
public static partial class ServerObservability
{
    /// <summary>The scrape endpoint.</summary>
    public const string MetricsPath = "/_cairn/metrics";

    private const string AdminPrefix = "/_cairn";

    /// <summary>A probe name no blob ever has (generated names live under <c>chunks/</c>): a readiness check only asks its length.</summary>
    private const string ProbeBlobName = "probe/ready";

    /// <summary>How long the readiness check waits for the catalog and the blob store together.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Histogram boundaries for durations in seconds: 0.5 ms to 10 s.</summary>
    private static readonly double[] SecondsBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Histogram boundaries for group-commit sizes (a group carries at most 256 writes).</summary>
    private static readonly double[] GroupSizeBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private static readonly string[] MeterNames = [S3Metrics.MeterName, EngineMetrics.MeterName, MetadataMetrics.MeterName, StorageMetrics.MeterName];

    /// <summary>
    /// Registers each layer's metrics class, hands the catalog provider its <see cref="MetadataMetrics"/>,
    /// wraps the registered blob backend in a <see cref="MeteredBlobBackend"/>, and exports Cairn's meters
    /// through OpenTelemetry's Prometheus exporter. Call after the catalog and blob backend are registered.
    /// </summary>
    public static IServiceCollection AddCairnMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<MetadataMetrics>();
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton(static provider =>
            new EngineMetrics(provider.GetRequiredService<IMeterFactory>(), provider.GetRequiredService<TimeProvider>()));
        Decorate<MetadataCatalog>(services, static (provider, catalog) =>
        {
            if (catalog.Provider is { Metrics: null } store)
            {
                store.Metrics = provider.GetRequiredService<MetadataMetrics>();
            }
            return catalog;
        });
        Decorate<IBlobBackend>(services, static (provider, backend) =>
        {
            var metrics = provider.GetRequiredService<StorageMetrics>();
            metrics.Observe(backend);
            return new MeteredBlobBackend(backend, metrics);
        });
        services.ConfigureOpenTelemetryMeterProvider(static (provider, builder) =>
        {
            var factory = provider.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => View(instrument, factory));
        });
        services.AddOpenTelemetry().WithMetrics(static metrics => metrics
            .AddMeter(MeterNames)
            .AddPrometheusExporter(static options =>
            {
                options.ScrapeEndpointPath = MetricsPath;
                // Every scrape collects afresh (the default caches a response for 300 ms).
                options.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return services;
    }

    /// <summary>
    /// Serves <c>/_cairn/metrics</c>, <c>/_cairn/health</c> (as live), <c>/_cairn/health/live</c>,
    /// <c>/_cairn/health/ready</c> and the authenticated admin API under <c>/_cairn/buckets/</c>,
    /// <c>/_cairn/users</c> and <c>/_cairn/keys/</c> (<see cref="CairnAdminApi"/>) on the endpoint's own host; a path branch ahead of the terminal S3
    /// middleware (endpoint routing would run after it).
    /// </summary>
    public static WebApplication MapCairnAdmin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var parser = app.Services.GetRequiredService<S3RequestParser>();
        app.MapWhen(context => IsAdminRequest(context, parser), static admin =>
        {
            admin.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
            admin.Run(ServeAsync);
        });
        return app;
    }

    private static Task ServeAsync(HttpContext context)
    {
        if (CairnAdminApi.Serves(RawPath(context)))
        {
            return context.RequestServices.GetRequiredService<CairnAdminApi>().InvokeAsync(context);
        }
        if (ServerConsole.Serves(context.Request.Path.Value))
        {
            return ServerConsole.ServeAsync(context, context.RequestServices.GetRequiredService<ServerInfo>().Region);
        }
        return context.Request.Path.Value switch
        {
            "/_cairn/health" or "/_cairn/health/live" => WriteTextAsync(context, StatusCodes.Status200OK, "ok"),
            "/_cairn/health/ready" => ReadyAsync(context),
            "/_cairn/health/archive" => ArchiveHealthAsync(context),
            _ => WriteTextAsync(context, StatusCodes.Status404NotFound, "not found"),
        };
    }

    /// <summary>
    /// True for <c>/_cairn</c> and below, judged on the raw target as S3 routing is (a normalised path
    /// could turn an object key such as <c>b/../_cairn/x</c> into an admin path), and only on a host that
    /// does not name a bucket.
    /// </summary>
    internal static bool IsAdminRequest(HttpContext context, S3RequestParser parser)
    {
        var path = RawPath(context);
        return path.StartsWith(AdminPrefix, StringComparison.Ordinal)
            && (path.Length == AdminPrefix.Length || path[AdminPrefix.Length] == '/')
            && !parser.IsBucketHost(context.Request.Host.Value);
    }

    private static ReadOnlySpan<char> RawPath(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target))
        {
            return context.Request.Path.Value;
        }
        var path = target.AsSpan();
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Absolute form (proxies): the path starts at the first '/' after the authority.
            var authority = target.IndexOf("//", StringComparison.Ordinal) + 2;
            var slash = target.IndexOf('/', authority);
            path = slash < 0 ? "/" : target.AsSpan(slash);
        }
        var query = path.IndexOf('?');
        return query < 0 ? path : path[..query];
    }

    /// <summary>200 when the catalog answers a trivial query and the blob store a length lookup; 503 with the reason otherwise.</summary>
    private static async Task ReadyAsync(HttpContext context)
    {
        var services = context.RequestServices;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(ReadyTimeout);
        string? problem = null;
        try
        {
            problem = "catalog";
            await services.GetRequiredService<ICatalogSchema>().GetSchemaVersionAsync(timeout.Token).ConfigureAwait(false);
            problem = "blob store";
            await services.GetRequiredService<IBlobBackend>().GetLengthAsync(ProbeBlobName, timeout.Token).ConfigureAwait(false);
            problem = null;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // The reason names the failing part and the kind of failure, never the exception text
            // (paths, upstream endpoints): the endpoint answers anyone. The log has the details.
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServerObservability));
            LogNotReady(logger, ex, problem!);
            var reason = ex is OperationCanceledException
                ? $"{problem} did not answer within {ReadyTimeout.TotalSeconds:0} s"
                : $"{problem} unavailable ({ex.GetType().Name}{(ex is BlobBackendException { IsTransient: true } ? ", transient" : "")})";
            await WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable, "not ready: " + reason).ConfigureAwait(false);
            return;
        }
        await WriteTextAsync(context, StatusCodes.Status200OK, "ready").ConfigureAwait(false);
    }

    /// <summary>
    /// Journal archiving's health, from the catalog (so every node answers it, not only the one whose
    /// archiver holds the lease): 200 while the oldest entry not archived has waited less than
    /// <see cref="EngineOptions.ArchiveLagAlert"/>; 503 with the lag otherwise; 404 without an archive.
    /// </summary>
    private static async Task ArchiveHealthAsync(HttpContext context)
    {
        var services = context.RequestServices;
        if (services.GetService<Cairn.Engine.Archive.JournalArchiveStore>() is null)
        {
            await WriteTextAsync(context, StatusCodes.Status404NotFound, "no archive configured").ConfigureAwait(false);
            return;
        }
        var (behind, oldest) = JournalArchiveLag.Of(
            await services.GetRequiredService<IJournalArchiveCatalog>().ListJournalArchiveStatesAsync(context.RequestAborted).ConfigureAwait(false),
            services.GetRequiredService<TimeProvider>().GetUtcNow());
        var alert = services.GetRequiredService<EngineOptions>().ArchiveLagAlert;
        var text = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{behind} entries not archived, the oldest waiting {oldest.TotalSeconds:0.0} s");
        await WriteTextAsync(context, oldest < alert ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            (oldest < alert ? "archive ok: " : "archive behind: ") + text).ConfigureAwait(false);
    }

    private static Task WriteTextAsync(HttpContext context, int statusCode, string text)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    /// <summary>
    /// Only this host's meters (its <see cref="IMeterFactory"/> is their scope: another server in the
    /// same process has meters of the same names); durations in seconds get explicit buckets.
    /// </summary>
    private static MetricStreamConfiguration? View(Instrument instrument, IMeterFactory factory)
    {
        if (!ReferenceEquals(instrument.Meter.Scope, factory))
        {
            return MetricStreamConfiguration.Drop;
        }
        if (instrument is Histogram<double> && instrument.Unit == "s")
        {
            return new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBoundaries };
        }
        if (instrument.Name == "cairn.metadata.commit.group_size")
        {
            return new ExplicitBucketHistogramConfiguration { Boundaries = GroupSizeBoundaries };
        }
        return null;
    }

    /// <summary>Replaces the last registration of <typeparamref name="T"/> with one that decorates what it made.</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate)
        where T : class
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var original = services[i];
            if (original.ServiceType != typeof(T) || original.IsKeyedService)
            {
                continue;
            }
            services[i] = ServiceDescriptor.Describe(typeof(T), provider => decorate(provider, Create<T>(provider, original)), original.Lifetime);
            return;
        }
        throw new InvalidOperationException($"No {typeof(T).Name} is registered to decorate.");
    }

    private static T Create<T>(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (T)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(provider)
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));

    // Event ids 200-299 belong to the server; next free: 201.
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Readiness check failed: the {Part} did not answer")]
    private static partial void LogNotReady(ILogger logger, Exception exception, string part);
}
