using System.Data.Common;
using System.Net.Sockets;
using Cairn.Core;
using Cairn.Engine;
using Cairn.Engine.Buckets;
using Cairn.Engine.Chunks;
using Cairn.Engine.Identity;
using Cairn.Engine.Multipart;
using Cairn.Engine.Objects;
using Cairn.Engine.Packs;
using Cairn.Engine.Trees;
using Cairn.Engine.Workers;
using Cairn.Metadata;
using Cairn.S3;
using Cairn.S3.Admin;
using Cairn.S3.Auth;
using Cairn.S3.Handlers;
using Cairn.S3.Routing;
using Cairn.Server.Cli;
using Cairn.Storage;
using Cairn.Storage.S3;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration.Memory;

namespace Cairn.Server;

/// <summary>
/// The composition root. <see cref="Build"/> wires every layer from configuration; tests call it
/// with <c>--urls http://127.0.0.1:0</c> and may replace services (clock, blob backend) afterwards.
/// </summary>
public static class ServerHost
{
    /// <summary>The server key file's name in the data directory when Cairn:KeyFile is not set.</summary>
    public const string ServerKeyFileName = "server-keys.json";

    /// <summary>Short environment names users and scripts rely on, and the configuration keys they set.</summary>
    private static readonly (string Variable, string Key)[] ShortEnvironmentNames =
    [
        ("CAIRN_ROOT_ACCESS_KEY", "Cairn:RootAccessKey"),
        ("CAIRN_ROOT_SECRET_KEY", "Cairn:RootSecretKey"),
        ("CAIRN_DATA_DIR", "Cairn:DataDirectory"),
        ("CAIRN_KEY_FILE", "Cairn:KeyFile"),
        ("CAIRN_METADATA", "Metadata:Provider"),
        ("CAIRN_POSTGRES", "Metadata:Postgres"),
        ("CAIRN_REGION", "S3:Region"),
        ("CAIRN_NODE_ID", "Engine:NodeId"),
        ("CAIRN_LIFECYCLE_DAY", "Engine:LifecycleDay"),
        ("CAIRN_BASE_DOMAIN", "S3:BaseDomain"),
        ("CAIRN_STORAGE", "Storage:Backend"),
        ("CAIRN_S3_ENDPOINT", "Storage:S3:ServiceUrl"),
        ("CAIRN_S3_REGION", "Storage:S3:Region"),
        ("CAIRN_S3_BUCKET", "Storage:S3:Bucket"),
        ("CAIRN_S3_PREFIX", "Storage:S3:KeyPrefix"),
        ("CAIRN_S3_ACCESS_KEY", "Storage:S3:AccessKey"),
        ("CAIRN_S3_SECRET_KEY", "Storage:S3:SecretKey"),
        ("CAIRN_S3_PATH_STYLE", "Storage:S3:ForcePathStyle"),
    ];

    /// <summary>Friendly command-line switches and the configuration keys they set.</summary>
    private static readonly (string Switch, string Key)[] Switches =
    [
        ("--data-dir", "Cairn:DataDirectory"),
        ("--access-key", "Cairn:RootAccessKey"),
        ("--secret-key", "Cairn:RootSecretKey"),
        ("--region", "S3:Region"),
        ("--base-domain", "S3:BaseDomain"),
        ("--chunk-size", "Engine:ChunkSize"),
        ("--inline-threshold", "Engine:InlineThreshold"),
    ];

    /// <summary>
    /// Runs until shutdown (Ctrl+C, SIGTERM); returns the process exit code. When the arguments name a
    /// command (<c>cairn tree ...</c>, <see cref="CairnCli.IsCommand"/>), runs that tool instead.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (CairnCli.IsCommand(args))
        {
            return await CairnCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
        }
        WebApplication app;
        try
        {
            app = Build(args);
            await InitializeAsync(app).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("cairn: " + ex.Message).ConfigureAwait(false);
            return 2;
        }
        await app.StartAsync().ConfigureAwait(false);
        PrintBanner(app);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Builds the application. <paramref name="configureServices"/> runs last, so it can replace any service.</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = TranslateSwitches(args),
            ContentRootPath = AppContext.BaseDirectory,
        });
        InsertShortEnvironmentNames(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:9000");
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Header values may carry non-ASCII text (user metadata, file names): read as UTF-8, or as
            // Latin-1 where the bytes are not UTF-8, so no byte is lost (RequestHeaderEncoding). Sent
            // as UTF-8 (response-content-disposition file names); user metadata goes out RFC 2047
            // encoded, in ASCII. Kestrel's defaults would refuse such requests and fail such answers.
            kestrel.RequestHeaderEncodingSelector = static _ => RequestHeaderEncoding.Instance;
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.UTF8;
        });

        var cairn = builder.Configuration.GetSection("Cairn").Get<CairnOptions>() ?? new CairnOptions();
        var s3 = builder.Configuration.GetSection("S3").Get<S3Options>() ?? new S3Options();
        var engine = ReadEngineOptions(builder.Configuration.GetSection("Engine"));
        var dataDirectory = Path.GetFullPath(cairn.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var (accessKey, secretKey, generated) = RootCredentials.Resolve(cairn, dataDirectory);
        engine.NodeId = NodeIdentity.Resolve(builder.Configuration["Engine:NodeId"], dataDirectory);
        engine.TempDirectory = Path.Join(dataDirectory, "tmp");

        var services = builder.Services;
        services.AddSingleton(new ServerInfo(dataDirectory, accessKey, secretKey, generated, s3.Region));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(cairn);
        services.AddSingleton(s3);
        services.AddSingleton(engine);
        var storage = builder.Configuration.GetSection("Storage").Get<StorageOptions>() ?? new StorageOptions();
        // Tiers:<NAME>:Bucket and so on; from the environment Tiers__<NAME>__Bucket. The names keep
        // their case: a lifecycle Transition's StorageClass names a tier as configured.
        var tiers = builder.Configuration.GetSection("Tiers").Get<Dictionary<string, TierOptions>>() ?? [];
        var blobs = BlobStorage.Create(storage, tiers, dataDirectory, cairn.FsyncDirectories);
        engine.Tiers = [.. tiers.Keys];
        services.AddSingleton(storage);
        services.AddSingleton(blobs);
        services.AddSingleton(_ => new BlobStorage.Owner(blobs));
        var metadata = builder.Configuration.GetSection("Metadata").Get<MetadataOptions>() ?? new MetadataOptions();
        metadata.Provider = metadata.Provider.Trim().ToLowerInvariant();
        ThrowOnProblems(metadata.Validate());
        services.AddSingleton(metadata);
        // Archive:Bucket and so on (the keys of a tier): journal archiving, whose segments need each
        // Put's whole version in the journal.
        var archive = builder.Configuration.GetSection("Archive").Get<TierOptions>();
        var archiving = !string.IsNullOrWhiteSpace(archive?.Bucket) || !string.IsNullOrWhiteSpace(archive?.Endpoint);
        services.AddSingleton(_ => MetadataProviders.Create(metadata, dataDirectory, journalRecords: archiving));
        AddCatalogRoles(services);
        if (archiving)
        {
            var archiveStore = BlobStorage.CreateArchive(archive!, storage.Retry);
            // From a factory, so the container disposes it (and the archive's S3 client) with the host.
            services.AddSingleton(_ => new Cairn.Engine.Archive.JournalArchiveStore(archiveStore));
            services.AddSingleton<Cairn.Engine.Archive.JournalArchiver>();
            services.AddSingleton<IWorker>(provider => provider.GetRequiredService<Cairn.Engine.Archive.JournalArchiver>());
        }
        services.AddSingleton<ChunkReadPins>();
        // Packs being written live in local segments, in gateway mode too. The pack writer also
        // serves reads of packed chunks and ships packs a crash left behind, so it is there (and its
        // worker runs, idle when there is nothing to ship) even when nothing new is packed.
        services.AddSingleton<ISegmentStore>(new FileSystemSegmentStore(SegmentsPath(dataDirectory)));
        services.AddSingleton<PackWriter>();
        services.AddSingleton<IWorker>(provider => provider.GetRequiredService<PackWriter>());
        // Compaction runs whatever the pack threshold: packs written before it was lowered still need it.
        services.AddSingleton<PackCompactor>();
        services.AddSingleton<IWorker>(provider => provider.GetRequiredService<PackCompactor>());
        services.AddSingleton<ChunkStore>();
        services.AddSingleton<ObjectService>();
        services.AddSingleton<BucketService>();
        services.AddSingleton<MultipartService>();
        services.AddSingleton<IWorker, AbandonedUploadCleaner>();
        // With an archive configured (its store registered above), the pruner keeps every entry whose upload is not confirmed.
        services.AddSingleton<IWorker, JournalPruner>();
        services.AddSingleton<DeleteQueueSweeper>();
        services.AddSingleton<IWorker>(provider => provider.GetRequiredService<DeleteQueueSweeper>());
        services.AddSingleton<BucketTreeCommitter>();
        if (engine.TreeCommitter)
        {
            services.AddSingleton<IWorker>(provider => provider.GetRequiredService<BucketTreeCommitter>());
        }
        services.AddSingleton<BucketTreeService>();
        services.AddSingleton<Cairn.Engine.Lifecycle.LifecycleService>();
        services.AddSingleton<Cairn.Engine.Lifecycle.TierMover>();
        services.AddSingleton<Cairn.Engine.Lifecycle.LifecycleWorker>();
        services.AddSingleton<IWorker>(provider => provider.GetRequiredService<Cairn.Engine.Lifecycle.LifecycleWorker>());
        services.AddSingleton<Cairn.Engine.Inventory.InventoryService>();
        services.AddSingleton<IWorker, Cairn.Engine.Inventory.InventoryWorker>();
        services.AddHostedService<WorkerHost>();
        // The server keys seal access keys' secrets in the catalog (and, later, bodies at rest).
        var keyFile = Path.GetFullPath(cairn.KeyFile ?? Path.Join(dataDirectory, ServerKeyFileName));
        services.AddSingleton(_ => ServerKeyRing.LoadOrCreate(keyFile, DateTimeOffset.UtcNow));
        services.AddSingleton<SecretSealer>();
        services.AddSingleton<IdentityService>();
        services.AddSingleton<ICredentialStore>(provider =>
            new IdentityCredentialStore(accessKey, secretKey, provider.GetRequiredService<IdentityService>()));
        services.AddSingleton<Cairn.Engine.Access.BucketPolicyService>();
        services.AddSingleton<Cairn.Engine.Access.BucketCorsService>();
        services.AddSingleton<Cairn.Engine.Encryption.ObjectEncryption>();
        services.AddSingleton<S3Authorizer>();
        services.AddSingleton(new S3RequestParser(s3.BaseDomain));
        services.AddSingleton(provider => new SigV4Verifier(provider.GetRequiredService<ICredentialStore>(), s3.Region,
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<S3Handlers>();
        services.AddSingleton<S3Metrics>();
        services.AddSingleton<S3Middleware>();
        services.AddSingleton<BackgroundWorkService>();
        services.AddSingleton<CairnAdminApi>();
        services.AddCairnMetrics();
        configureServices?.Invoke(services);

        var app = builder.Build();
        // Created now so that the container, which disposes what it created, lets the backend go with the host.
        app.Services.GetRequiredService<BlobStorage.Owner>();
        app.MapCairnAdmin();
        var middleware = app.Services.GetRequiredService<S3Middleware>();
        app.Run(middleware.InvokeAsync);
        return app;
    }

    /// <summary>Each role of the registered <see cref="MetadataCatalog"/>, for the services that ask for one.</summary>
    private static void AddCatalogRoles(IServiceCollection services)
    {
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Schema);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Buckets);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Objects);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Chunks);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Multipart);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().DeleteQueue);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Leases);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Trees);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Packs);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Configurations);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Lifecycle);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Inventory);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().JournalArchive);
        services.AddSingleton(static provider => provider.GetRequiredService<MetadataCatalog>().Identities);
    }

    /// <summary>Prepares storage before the first request: migrations, stale temp files.</summary>
    public static async Task InitializeAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.Services.GetRequiredService<ICatalogSchema>().MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or IOException)
        {
            // Unreachable server, wrong credentials, missing database, unwritable file: say which setting to fix.
            var setting = MetadataProviders.SettingOf(app.Services.GetRequiredService<MetadataOptions>());
            throw new InvalidOperationException($"The metadata catalog is not usable; check {setting}: {ex.Message}", ex);
        }
        // Users' keys, read before the first request so they are accepted from the start.
        await app.Services.GetRequiredService<IdentityService>().RefreshCredentialsAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var layer in BlobStorage.Layers(app.Services.GetRequiredService<IBlobBackend>()))
        {
            if (layer is FileSystemBlobBackend files)
            {
                await files.CleanupTempFilesAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            }
            if (layer is S3BlobBackend upstream)
            {
                await CheckUpstreamAsync(upstream).ConfigureAwait(false);
            }
        }
        if (app.Services.GetRequiredService<EngineOptions>().TempDirectory is { } temp && Directory.Exists(temp))
        {
            // Files a stopped process was writing (an archive snapshot before its upload): nothing else reads them.
            foreach (var leftover in Directory.EnumerateFiles(temp))
            {
                File.Delete(leftover);
            }
        }
        // Before the first request: packs a crash left open are sealed and queued for shipping.
        await app.Services.GetRequiredService<PackWriter>().RecoverAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Fails startup, with the reason, when a probe blob cannot be written to and deleted from the upstream bucket
    /// (endpoint, credentials, bucket, permissions): better than a 500 on the first upload.
    /// </summary>
    private static async Task CheckUpstreamAsync(S3BlobBackend upstream)
    {
        var probe = "probe/startup-" + Guid.NewGuid().ToString("N");
        try
        {
            await upstream.PutAsync(probe, "cairn"u8.ToArray(), CancellationToken.None).ConfigureAwait(false);
            await upstream.DeleteAsync(probe, CancellationToken.None).ConfigureAwait(false);
        }
        catch (BlobBackendException ex)
        {
            throw new InvalidOperationException($"The upstream bucket is not usable: {ex.Message}", ex);
        }
    }

    /// <summary>The addresses Kestrel listens on (after start).</summary>
    public static IReadOnlyCollection<string> Addresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }

    private static void PrintBanner(WebApplication app)
    {
        var info = app.Services.GetRequiredService<ServerInfo>();
        foreach (var address in Addresses(app))
        {
            Console.WriteLine($"Cairn S3 endpoint: {address}");
        }
        Console.WriteLine($"  region:     {info.Region}");
        Console.WriteLine($"  data:       {info.DataDirectory}");
        Console.WriteLine($"  node:       {app.Services.GetRequiredService<EngineOptions>().NodeId}");
        Console.WriteLine($"  metadata:   {app.Services.GetRequiredService<MetadataOptions>().Provider}");
        if (app.Services.GetRequiredService<EngineOptions>().Tiers is { Count: > 0 } tiers)
        {
            Console.WriteLine($"  tiers:      {string.Join(", ", tiers)}");
        }
        if (app.Services.GetService<Cairn.Engine.Archive.JournalArchiveStore>() is not null)
        {
            Console.WriteLine("  archive:    journal archiving on (Archive:*)");
        }
        Console.WriteLine($"  access key: {info.AccessKey}");
        Console.WriteLine($"  secret key: {info.SecretKey}{(info.GeneratedCredentials ? "   (generated; kept in the data directory)" : "")}");
    }

    private static EngineOptions ReadEngineOptions(IConfigurationSection section)
    {
        // Read by hand: sizes are written for people ("4MiB"), which the binder cannot parse.
        var options = new EngineOptions();
        if (section["ChunkSize"] is { } chunkSize)
        {
            options.ChunkSize = checked((int)ByteSize.Parse(chunkSize));
        }
        if (section["InlineThreshold"] is { } inlineThreshold)
        {
            options.InlineThreshold = checked((int)ByteSize.Parse(inlineThreshold));
        }
        options.GracePeriod = section.GetValue("GracePeriod", options.GracePeriod);
        options.ReservationTimeout = section.GetValue("ReservationTimeout", options.ReservationTimeout);
        options.SweepInterval = section.GetValue("SweepInterval", options.SweepInterval);
        options.LeaseTime = section.GetValue("LeaseTime", options.LeaseTime);
        options.TreeCommitter = section.GetValue("TreeCommitter", options.TreeCommitter);
        options.TreeCommitInterval = section.GetValue("TreeCommitInterval", options.TreeCommitInterval);
        options.TreeCacheBytes = section.GetValue("TreeCacheBytes", options.TreeCacheBytes);
        options.TreeKeepEvery = section.GetValue("TreeKeepEvery", options.TreeKeepEvery);
        options.TreeKeepWithin = section.GetValue("TreeKeepWithin", options.TreeKeepWithin);
        options.TreeCollectInterval = section.GetValue("TreeCollectInterval", options.TreeCollectInterval);
        options.TreeExportPinTime = section.GetValue("TreeExportPinTime", options.TreeExportPinTime);
        options.ArchiveInterval = section.GetValue("ArchiveInterval", options.ArchiveInterval);
        options.ArchiveSegmentEntries = section.GetValue("ArchiveSegmentEntries", options.ArchiveSegmentEntries);
        options.ArchiveLagAlert = section.GetValue("ArchiveLagAlert", options.ArchiveLagAlert);
        options.ArchiveSnapshotEntries = section.GetValue("ArchiveSnapshotEntries", options.ArchiveSnapshotEntries);
        options.ArchiveSnapshotInterval = section.GetValue("ArchiveSnapshotInterval", options.ArchiveSnapshotInterval);
        options.JournalRetention = section.GetValue("JournalRetention", options.JournalRetention);
        options.JournalPruneInterval = section.GetValue("JournalPruneInterval", options.JournalPruneInterval);
        options.LifecycleDay = section.GetValue("LifecycleDay", options.LifecycleDay);
        options.LifecycleInterval = section.GetValue("LifecycleInterval", options.LifecycleInterval);
        options.InventoryRowsPerGroup = section.GetValue("InventoryRowsPerGroup", options.InventoryRowsPerGroup);
        options.InventoryRowsPerFile = section.GetValue("InventoryRowsPerFile", options.InventoryRowsPerFile);
        if (section["PackThreshold"] is { } packThreshold)
        {
            options.PackThreshold = checked((int)ByteSize.Parse(packThreshold));
        }
        if (section["PackTargetSize"] is { } packTargetSize)
        {
            options.PackTargetSize = ByteSize.Parse(packTargetSize);
        }
        if (section["PackPartSize"] is { } packPartSize)
        {
            options.PackPartSize = checked((int)ByteSize.Parse(packPartSize));
        }
        options.PackMaxAge = section.GetValue("PackMaxAge", options.PackMaxAge);
        options.PackAcknowledge = section.GetValue("PackAcknowledge", options.PackAcknowledge);
        options.PackUploadWindow = section.GetValue("PackUploadWindow", options.PackUploadWindow);
        if (section["SegmentStoreLimit"] is { } segmentStoreLimit)
        {
            options.SegmentStoreLimit = ByteSize.Parse(segmentStoreLimit);
        }
        options.CompactionDeadRatio = section.GetValue("CompactionDeadRatio", options.CompactionDeadRatio);
        options.CompactionInterval = section.GetValue("CompactionInterval", options.CompactionInterval);
        options.Compression = section.GetValue("Compression", options.Compression);
        options.CompressionLevel = section.GetValue("CompressionLevel", options.CompressionLevel);
        options.CompressionMinSaving = section.GetValue("CompressionMinSaving", options.CompressionMinSaving);
        options.VerifyChunksOnRead = section.GetValue("VerifyChunksOnRead", options.VerifyChunksOnRead);
        options.AbandonedUploadAge = section.GetValue("AbandonedUploadAge", options.AbandonedUploadAge);
        options.CompletedUploadRetention = section.GetValue("CompletedUploadRetention", options.CompletedUploadRetention);
        options.ReadAheadChunks = section.GetValue("ReadAheadChunks", options.ReadAheadChunks);
        options.MaxConcurrentChunkReads = section.GetValue("MaxConcurrentChunkReads", options.MaxConcurrentChunkReads);
        options.WriteBehindChunks = section.GetValue("WriteBehindChunks", options.WriteBehindChunks);
        options.SharedWriteBuffers = section.GetValue("SharedWriteBuffers", options.SharedWriteBuffers);
        ThrowOnProblems(options.Validate());
        return options;
    }

    /// <summary>The directory of a node's local pack segments in its data directory (<c>cairn restore</c> ships what is left there).</summary>
    internal static string SegmentsPath(string dataDirectory) => Path.Join(dataDirectory, "segments");

    /// <summary>Fails startup with every problem an options class found, each naming its setting.</summary>
    private static void ThrowOnProblems(IEnumerable<string> problems)
    {
        var found = problems.ToList();
        if (found.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, found));
        }
    }

    private static void InsertShortEnvironmentNames(ConfigurationManager configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (variable, key) in ShortEnvironmentNames)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }
        // After appsettings.json and the long environment names, before the command line (which wins).
        var sources = configuration.Sources;
        var commandLine = sources.Count - 1;
        while (commandLine >= 0 && sources[commandLine].GetType().Name != "CommandLineConfigurationSource")
        {
            commandLine--;
        }
        sources.Insert(commandLine < 0 ? sources.Count : commandLine, new MemoryConfigurationSource { InitialData = values });
    }

    private static string[] TranslateSwitches(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var translated = false;
            foreach (var (name, key) in Switches)
            {
                if (arg == name && i + 1 < args.Length)
                {
                    result.Add($"--{key}={args[++i]}");
                    translated = true;
                    break;
                }
                if (arg.StartsWith(name + "=", StringComparison.Ordinal))
                {
                    result.Add($"--{key}={arg[(name.Length + 1)..]}");
                    translated = true;
                    break;
                }
            }
            if (!translated)
            {
                result.Add(arg);
            }
        }
        return [.. result];
    }
}
