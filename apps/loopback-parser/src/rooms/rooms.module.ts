import { Module } from '@nestjs/common';
import { InboxModule } from '@parley/inbox';
import { RoomsRepository } from './rooms.repository';
import { RoomsService } from './rooms.service';

@Module({
  imports: [InboxModule.forProducer()],
  providers: [RoomsRepository, RoomsService],
  exports: [RoomsService],
})
export class RoomsModule {}
