return await Cairn.Server.ServerHost.RunAsync(args);
