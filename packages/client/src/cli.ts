process.stdout.write('mediagen\n');
